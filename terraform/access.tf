# Who may use the Kubernetes API, all through EKS access entries (no aws-auth ConfigMap).

locals {
  eks_access_policy_prefix = "${local.arn_prefix}:eks::aws:cluster-access-policy"
}

# ---------------------------------------------------------------------------------
# The deploy role: edit rights in the namespaces Greenlight deploys to, nothing
# cluster-wide. It cannot create namespaces; an admin creates them once.
# ---------------------------------------------------------------------------------

resource "aws_eks_access_entry" "deploy" {
  cluster_name      = aws_eks_cluster.this.name
  principal_arn     = aws_iam_role.deploy.arn
  type              = "STANDARD"
  kubernetes_groups = var.deploy_kubernetes_groups
}

resource "aws_eks_access_policy_association" "deploy" {
  count = length(local.deploy_namespaces) > 0 ? 1 : 0

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.deploy.principal_arn
  policy_arn    = "${local.eks_access_policy_prefix}/AmazonEKSEditPolicy"

  access_scope {
    type       = "namespace"
    namespaces = local.deploy_namespaces
  }
}

# ---------------------------------------------------------------------------------
# Cluster administrators.
# ---------------------------------------------------------------------------------

resource "aws_eks_access_entry" "admin" {
  for_each = toset(var.cluster_admin_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = aws_eks_access_entry.admin

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  policy_arn    = "${local.eks_access_policy_prefix}/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}

# ---------------------------------------------------------------------------------
# People who look at workloads in the EKS console or Headlamp: read-only, cluster-wide
# (the console's node and namespace lists need cluster scope), Secrets excluded.
# ---------------------------------------------------------------------------------

resource "aws_eks_access_entry" "viewer" {
  for_each = toset(var.console_viewer_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "viewer" {
  for_each = aws_eks_access_entry.viewer

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  policy_arn    = "${local.eks_access_policy_prefix}/AmazonEKSViewPolicy"

  access_scope {
    type = "cluster"
  }
}

# The IAM side of console access: attach this policy to the viewers' roles or users
# (Terraform does not attach it, because they may live in another account or be
# managed elsewhere, e.g. IAM Identity Center permission sets).
resource "aws_iam_policy" "console_viewer" {
  name        = "${var.name}-eks-console-viewer"
  description = "See the ${var.cluster_name} EKS cluster and its workloads in the AWS console, and run aws eks update-kubeconfig."

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "DescribeThisCluster"
        Effect = "Allow"
        Action = [
          "eks:DescribeCluster",
          "eks:DescribeNodegroup",
          "eks:DescribeAddon",
          "eks:ListNodegroups",
          "eks:ListAddons",
          "eks:ListFargateProfiles",
          "eks:ListUpdates",
          "eks:AccessKubernetesApi",
        ]
        Resource = [local.cluster_arn, "${local.arn_prefix}:eks:${var.region}:${var.aws_account_id}:*/${var.cluster_name}/*"]
      },
      {
        Sid      = "ListClusters"
        Effect   = "Allow"
        Action   = ["eks:ListClusters"]
        Resource = "*"
      },
    ]
  })
}

# A plan warning (not an error) when the deploy role would have no namespace at all.
check "deploy_namespaces" {
  assert {
    condition     = length(local.deploy_namespaces) > 0
    error_message = "The deploy role can change no namespace: set deploy_namespaces or give groups/*.yaml files a `namespace`."
  }
}
