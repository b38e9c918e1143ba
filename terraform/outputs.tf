output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "kubeconfig_command" {
  description = "Adds the cluster to ~/.kube/config (needs the AWS CLI and credentials of a principal with an access entry)."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${aws_eks_cluster.this.name}"
}

output "ecr_repository_urls" {
  description = "ECR repository URL by repository name."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.repository_url }
}

output "ecr_registry" {
  description = "The ECR registry host of this account and region."
  value       = "${var.aws_account_id}.dkr.ecr.${var.region}.amazonaws.com"
}

output "deploy_role_arn" {
  description = "Role for aws-actions/configure-aws-credentials (role-to-assume) in Greenlight's workflows."
  value       = aws_iam_role.deploy.arn
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub Actions OIDC provider (created here or passed in)."
  value       = local.github_oidc_provider_arn
}

output "deploy_namespaces" {
  description = "Namespaces the deploy role may edit."
  value       = local.deploy_namespaces
}

output "console_viewer_iam_policy_arn" {
  description = "IAM policy to attach to console viewers (the IAM half of seeing workloads in the EKS console)."
  value       = aws_iam_policy.console_viewer.arn
}

output "billing_alerts_topic_arn" {
  description = "SNS topic (us-east-1) the billing alarms notify."
  value       = aws_sns_topic.billing.arn
}
