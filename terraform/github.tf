# GitHub Actions' OIDC identity provider, and the role Greenlight's workflows assume:
# push/pull the ECR repositories above and describe this cluster (Kubernetes rights
# come from the access entry in access.tf). No stored AWS keys anywhere.

resource "aws_iam_openid_connect_provider" "github" {
  count = var.github_oidc_provider_arn == null ? 1 : 0

  url            = "https://${local.github_oidc_url}"
  client_id_list = ["sts.amazonaws.com"]
  # No thumbprint_list: IAM trusts GitHub's certificate through its own root CAs.
}

locals {
  # The `sub` claim GitHub puts in the token (default claim format):
  #   repo:OWNER/NAME:ref:refs/heads/BRANCH     a job without an environment
  #   repo:OWNER/NAME:environment:ENVIRONMENT   a job that names an environment
  #   repo:OWNER/NAME:pull_request              a pull_request event
  github_subjects = sort(distinct(flatten([
    for r in var.github_repositories : concat(
      [for b in r.branches : "repo:${r.repository}:ref:refs/heads/${b}"],
      [for e in r.environments : "repo:${r.repository}:environment:${e}"],
      r.pull_requests ? ["repo:${r.repository}:pull_request"] : [],
    )
  ])))
}

resource "aws_iam_role" "deploy" {
  name                 = var.deploy_role_name
  description          = "Assumed by Greenlight's GitHub Actions workflows (OIDC) to push images to ECR and deploy to ${var.cluster_name}."
  max_session_duration = 3600

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActions"
      Effect    = "Allow"
      Principal = { Federated = local.github_oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "${local.github_oidc_url}:aud" = "sts.amazonaws.com" }
        # StringLike so a branch entry may be a pattern such as "release/*".
        StringLike = { "${local.github_oidc_url}:sub" = local.github_subjects }
      }
    }]
  })

  depends_on = [aws_iam_openid_connect_provider.github]

  lifecycle {
    precondition {
      condition     = length(local.github_subjects) > 0
      error_message = "github_repositories must allow at least one repository/branch/environment to assume the deploy role."
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name = "greenlight-deploy"
  role = aws_iam_role.deploy.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # GetAuthorizationToken has no resource-level permissions.
        Sid      = "EcrLogin"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = "*"
      },
      {
        Sid    = "EcrPushPull"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:CompleteLayerUpload",
          "ecr:DescribeImages",
          "ecr:DescribeRepositories",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:ListImages",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ]
        Resource = local.ecr_arns
      },
      {
        Sid      = "EksDescribe"
        Effect   = "Allow"
        Action   = ["eks:DescribeCluster"]
        Resource = local.cluster_arn
      },
    ]
  })
}
