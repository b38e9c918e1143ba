import { describe, expect, it } from 'vitest';
import type { GroupState } from '../../src/core/cluster.ts';
import { applyOverrides } from '../../src/core/config/overrides.ts';
import { planRelease, releaseIdOf } from '../../src/core/plan.ts';
import {
  markdownCode,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanTable,
} from '../../src/core/render-plan.ts';
import type { ResolvedImage } from '../../src/core/resolve.ts';
import { loadGroup } from '../../src/disk/groups.ts';
import { REPO_ROOT } from '../support/action-runner.ts';

const A1 = `sha256:${'a1'.repeat(32)}`;
const A2 = `sha256:${'a2'.repeat(32)}`;
const B1 = `sha256:${'b1'.repeat(32)}`;
const B2 = `sha256:${'b2'.repeat(32)}`;

const { catalog, group } = loadGroup({ cwd: REPO_ROOT, groupsDir: 'groups' }, 'login-feature');

function resolved(digests: Record<string, string>): ResolvedImage[] {
  return group.services.map((service) => ({
    service: service.name,
    repository: service.name,
    selector: service.image,
    tag: 'branch-x',
    digest: digests[service.name] ?? '',
    image: `127.0.0.1:5000/${service.name}@${digests[service.name]}`,
  }));
}

const EMPTY: GroupState = {
  namespace: 'greenlight-login',
  namespaceExists: false,
  services: { 'hello-a': { service: 'hello-a', colors: {} }, 'hello-b': { service: 'hello-b', colors: {} } },
};

function liveOn(color: 'blue' | 'green', digests: Record<string, string>): GroupState {
  const services: GroupState['services'] = {};
  for (const [service, digest] of Object.entries(digests)) {
    services[service] = {
      service,
      liveColor: color,
      colors: {
        [color]: {
          color,
          deployment: `${service}-${color}`,
          digest,
          branch: 'master',
          commit: 'c0ffee',
          replicas: 2,
          readyReplicas: 2,
        },
      },
    };
  }
  return { namespace: 'greenlight-login', namespaceExists: true, services };
}

describe('releaseIdOf', () => {
  it('hashes the sorted service -> digest set: order does not matter, any digest does', () => {
    const id = releaseIdOf({ 'hello-a': A1, 'hello-b': B1 });
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(releaseIdOf({ 'hello-b': B1, 'hello-a': A1 })).toBe(id);
    expect(releaseIdOf({ 'hello-a': A1, 'hello-b': B2 })).not.toBe(id);
    expect(releaseIdOf({ 'hello-a': B1, 'hello-b': A1 })).not.toBe(id);
  });
});

describe('planRelease', () => {
  it('first deploy: nothing live, every service a first-deploy onto blue', () => {
    const plan = planRelease({
      catalog,
      group,
      resolved: resolved({ 'hello-a': A1, 'hello-b': B1 }),
      state: EMPTY,
    });
    expect(plan.liveColor).toBeUndefined();
    expect(plan.standbyColor).toBe('blue');
    expect(plan.services.map((service) => [service.service, service.action, service.replicas])).toEqual([
      ['hello-a', 'first-deploy', 2],
      ['hello-b', 'first-deploy', 1],
    ]);
    expect(plan.releaseId).toBe(releaseIdOf({ 'hello-a': A1, 'hello-b': B1 }));
  });

  it('live on blue: a changed digest is deployed, an equal one carried to green unchanged', () => {
    const plan = planRelease({
      catalog,
      group,
      resolved: resolved({ 'hello-a': A1, 'hello-b': B2 }),
      state: liveOn('blue', { 'hello-a': A1, 'hello-b': B1 }),
    });
    expect(plan.liveColor).toBe('blue');
    expect(plan.standbyColor).toBe('green');
    expect(plan.services.map((service) => [service.service, service.action, service.live?.digest])).toEqual([
      ['hello-a', 'unchanged', A1],
      ['hello-b', 'deploy', B1],
    ]);
    expect(plan.warnings).toEqual([]);
  });

  it('a service missing from a live group is a first-deploy; the group still moves to the other color', () => {
    const state = liveOn('green', { 'hello-a': A1 });
    state.services['hello-b'] = { service: 'hello-b', colors: {} };
    const plan = planRelease({ catalog, group, resolved: resolved({ 'hello-a': A2, 'hello-b': B1 }), state });
    expect(plan.standbyColor).toBe('blue');
    expect(plan.services.map((service) => service.action)).toEqual(['deploy', 'first-deploy']);
  });

  it('warns when live colors disagree (a tie goes to blue)', () => {
    const state = liveOn('green', { 'hello-a': A1, 'hello-b': B1 });
    state.services['hello-a'] = {
      ...liveOn('blue', { 'hello-a': A1 }).services['hello-a'],
      service: 'hello-a',
    } as never;
    const plan = planRelease({ catalog, group, resolved: resolved({ 'hello-a': A1, 'hello-b': B1 }), state });
    expect(plan.liveColor).toBe('blue');
    expect(plan.warnings).toEqual([
      'live colors disagree (hello-a blue, hello-b green); the deploy puts every service on green',
    ]);
  });

  it('marks overridden services', () => {
    const overridden = applyOverrides(group, new Map([['hello-a', 'feature/x']]));
    const plan = planRelease({
      catalog,
      group: overridden,
      resolved: resolved({ 'hello-a': A1, 'hello-b': B1 }),
      state: EMPTY,
    });
    expect(plan.services[0]?.source).toBe('override');
    expect(plan.services[0]?.selector).toEqual({ kind: 'branch', branch: 'feature/x' });
  });
});

describe('renderers', () => {
  const plan = planRelease({
    catalog,
    group: applyOverrides(group, new Map([['hello-a', 'fix/a|b']])),
    resolved: resolved({ 'hello-a': A1, 'hello-b': B2 }),
    state: liveOn('blue', { 'hello-a': A1, 'hello-b': B1 }),
  });
  const id = plan.releaseId;

  it('renders a terminal table', () => {
    expect(renderPlanTable(plan)).toBe(
      [
        `Group login-feature in namespace greenlight-login: live blue, standby green, release ${id}`,
        '',
        'SERVICE  ACTION     IMAGE                      STANDBY (green)      LIVE (blue)',
        'hello-a  unchanged  branch fix/a|b (override)  sha256:a1a1a1a1a1a1  sha256:a1a1a1a1a1a1 master',
        'hello-b  deploy     branch feature/login       sha256:b2b2b2b2b2b2  sha256:b1b1b1b1b1b1 master',
        '',
        '1 deploy, 1 unchanged; every service goes to green, tested there before it goes live',
        '',
      ].join('\n'),
    );
  });

  it('renders markdown for job summaries, escaping pipes in branch names', () => {
    expect(renderPlanMarkdown(plan)).toBe(
      [
        '### Greenlight plan: `login-feature`',
        '',
        `Namespace \`greenlight-login\` · live **blue** · standby **green** · release \`${id}\``,
        '',
        '| Service | Action | Image | Standby (green) | Live (blue) |',
        '| --- | --- | --- | --- | --- |',
        '| hello-a | unchanged | branch `fix/a\\|b` (override) | `sha256:a1a1a1a1a1a1` | `sha256:a1a1a1a1a1a1` `master` |',
        '| hello-b | deploy | branch `feature/login` | `sha256:b2b2b2b2b2b2` | `sha256:b1b1b1b1b1b1` `master` |',
        '',
        '1 deploy, 1 unchanged; every service goes to green, tested there before it goes live',
        '',
      ].join('\n'),
    );
  });

  it('renders notes for a namespace that does not exist yet', () => {
    const first = planRelease({
      catalog,
      group,
      resolved: resolved({ 'hello-a': A1, 'hello-b': B1 }),
      state: EMPTY,
    });
    expect(renderPlanTable(first).split('\n').slice(-3)).toEqual([
      '2 first-deploy; every service goes to blue, tested there before it goes live',
      'namespace greenlight-login does not exist yet; the deploy creates it',
      '',
    ]);
    expect(renderPlanMarkdown(first)).toContain(
      '\n> namespace greenlight-login does not exist yet; the deploy creates it\n',
    );
  });

  it('renders JSON with every field a workflow needs', () => {
    const json = JSON.parse(renderPlanJson(plan));
    expect(json).toEqual({
      group: 'login-feature',
      namespace: 'greenlight-login',
      namespaceExists: true,
      releaseId: id,
      liveColor: 'blue',
      standbyColor: 'green',
      warnings: [],
      services: [
        {
          service: 'hello-a',
          action: 'unchanged',
          selector: { kind: 'branch', branch: 'fix/a|b' },
          source: 'override',
          repository: 'hello-a',
          tag: 'branch-x',
          digest: A1,
          image: `127.0.0.1:5000/hello-a@${A1}`,
          replicas: 2,
          live: { color: 'blue', digest: A1, branch: 'master', commit: 'c0ffee' },
        },
        {
          service: 'hello-b',
          action: 'deploy',
          selector: { kind: 'branch', branch: 'feature/login' },
          source: 'group',
          repository: 'hello-b',
          tag: 'branch-x',
          digest: B2,
          image: `127.0.0.1:5000/hello-b@${B2}`,
          replicas: 1,
          live: { color: 'blue', digest: B1, branch: 'master', commit: 'c0ffee' },
        },
      ],
    });
  });

  it('fences inline code around backticks', () => {
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x')).toBe('`` `x ``');
  });
});
