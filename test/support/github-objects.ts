/**
 * The state the fake GitHub holds (users, repositories, pull requests, issue comments, commit
 * statuses), and its JSON in the shapes GitHub's description requires (simple-user,
 * repository, pull-request-simple, issue-comment, status). Every answer the fake serves is
 * validated against the description, so a field missing here fails the test that serves it.
 */

export interface FakeUser {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export interface FakeRepository {
  owner: FakeUser;
  name: string;
  fullName: string;
  id: number;
  /** False: the token may read but not write (a fork's token, or one without the permission). */
  writable: boolean;
  commits: Set<string>;
  defaultBranch: string;
}

export interface FakePullRequest {
  repository: FakeRepository;
  number: number;
  id: number;
  title: string;
  state: 'open' | 'closed';
  headRef: string;
  headSha: string;
  /** The repository the head branch lives in: the base repository, or a fork. */
  headRepository: FakeRepository;
  baseRef: string;
  user: FakeUser;
  createdAt: string;
}

export interface FakeComment {
  repository: FakeRepository;
  issueNumber: number;
  id: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
}

export interface FakeStatus {
  repository: FakeRepository;
  sha: string;
  id: number;
  state: 'error' | 'failure' | 'pending' | 'success';
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: FakeUser;
  createdAt: string;
}

/** Where the fake says its objects live: its own API URL, and a web URL that is only ever text. */
export interface Urls {
  api: string;
  web: string;
}

const nodeId = (kind: string, id: number) => Buffer.from(`0:${kind}${id}`).toString('base64');

export function simpleUser(user: FakeUser, urls: Urls) {
  // GitHub percent-encodes logins in URLs (`github-actions%5Bbot%5D`).
  const login = encodeURIComponent(user.login);
  const api = `${urls.api}/users/${login}`;
  return {
    login: user.login,
    id: user.id,
    node_id: nodeId('User', user.id),
    avatar_url: `${urls.web}/avatars/u/${user.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

/** GET /user for a personal token: the private profile. */
export function privateUser(user: FakeUser, urls: Urls) {
  return {
    ...simpleUser(user, urls),
    user_view_type: 'private',
    name: null,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    public_repos: 1,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

const REPOSITORY_URL_TEMPLATES: Record<string, string> = {
  archive_url: '/{archive_format}{/ref}',
  assignees_url: '/assignees{/user}',
  blobs_url: '/git/blobs{/sha}',
  branches_url: '/branches{/branch}',
  collaborators_url: '/collaborators{/collaborator}',
  comments_url: '/comments{/number}',
  commits_url: '/commits{/sha}',
  compare_url: '/compare/{base}...{head}',
  contents_url: '/contents/{+path}',
  contributors_url: '/contributors',
  deployments_url: '/deployments',
  downloads_url: '/downloads',
  events_url: '/events',
  forks_url: '/forks',
  git_commits_url: '/git/commits{/sha}',
  git_refs_url: '/git/refs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  hooks_url: '/hooks',
  issue_comment_url: '/issues/comments{/number}',
  issue_events_url: '/issues/events{/number}',
  issues_url: '/issues{/number}',
  keys_url: '/keys{/key_id}',
  labels_url: '/labels{/name}',
  languages_url: '/languages',
  merges_url: '/merges',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  pulls_url: '/pulls{/number}',
  releases_url: '/releases{/id}',
  stargazers_url: '/stargazers',
  statuses_url: '/statuses/{sha}',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  tags_url: '/tags',
  teams_url: '/teams',
  trees_url: '/git/trees{/sha}',
};

export function repository(repo: FakeRepository, urls: Urls) {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const templated = Object.fromEntries(
    Object.entries(REPOSITORY_URL_TEMPLATES).map(([key, suffix]) => [key, `${api}${suffix}`]),
  );
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUser(repo.owner, urls),
    private: false,
    html_url: `${urls.web}/${repo.fullName}`,
    description: null,
    fork: false,
    url: api,
    ...templated,
    clone_url: `${urls.web}/${repo.fullName}.git`,
    git_url: `git://example.invalid/${repo.fullName}.git`,
    ssh_url: `git@example.invalid:${repo.fullName}.git`,
    svn_url: `${urls.web}/${repo.fullName}`,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    default_branch: repo.defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: '2026-11-30T00:00:00Z',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-11-30T00:00:00Z',
  };
}

export function pullRequestSimple(pull: FakePullRequest, urls: Urls) {
  const base = pull.repository;
  const api = `${urls.api}/repos/${base.fullName}`;
  const html = `${urls.web}/${base.fullName}/pull/${pull.number}`;
  const link = (href: string) => ({ href });
  const side = (repo: FakeRepository, ref: string, sha: string) => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    repo: repository(repo, urls),
    sha,
    user: simpleUser(repo.owner, urls),
  });
  return {
    url: `${api}/pulls/${pull.number}`,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${api}/pulls/${pull.number}/commits`,
    review_comments_url: `${api}/pulls/${pull.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: simpleUser(pull.user, urls),
    body: null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.headRepository, pull.headRef, pull.headSha),
    base: side(base, pull.baseRef, '0'.repeat(40)),
    _links: {
      self: link(`${api}/pulls/${pull.number}`),
      html: link(html),
      issue: link(`${api}/issues/${pull.number}`),
      comments: link(`${api}/issues/${pull.number}/comments`),
      review_comments: link(`${api}/pulls/${pull.number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${pull.number}/commits`),
      statuses: link(`${api}/statuses/${pull.headSha}`),
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: false,
  };
}

export function issueComment(comment: FakeComment, urls: Urls) {
  const api = `${urls.api}/repos/${comment.repository.fullName}`;
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${api}/issues/comments/${comment.id}`,
    html_url: `${urls.web}/${comment.repository.fullName}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: simpleUser(comment.user, urls),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    author_association: comment.user.type === 'Bot' ? 'NONE' : 'MEMBER',
    performed_via_github_app: null,
  };
}

export function commitStatus(status: FakeStatus, urls: Urls) {
  return {
    url: `${urls.api}/repos/${status.repository.fullName}/statuses/${status.sha}`,
    avatar_url: `${urls.web}/avatars/u/${status.creator.id}?v=4`,
    id: status.id,
    node_id: nodeId('StatusContext', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: simpleUser(status.creator, urls),
  };
}
