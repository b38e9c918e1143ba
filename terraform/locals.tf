locals {
  tags = merge({ Project = "greenlight", ManagedBy = "terraform" }, var.tags)

  availability_zones = coalesce(var.availability_zones, ["${var.region}a", "${var.region}b"])

  # ---------------------------------------------------------------------------------
  # The service catalog. Adding a service to groups/services.yaml adds its ECR
  # repository on the next apply; nothing to edit here.
  # ---------------------------------------------------------------------------------
  catalog_file = "${path.module}/../groups/services.yaml"
  catalog      = yamldecode(file(local.catalog_file))
  services     = try(local.catalog.services, {})

  # `repository` is an ECR repository name, or an image path in another registry
  # (first path segment with a '.' or ':', or "localhost", as Docker decides it).
  # Only ECR names get a repository here. A service without `repository` uses its name.
  service_repositories = {
    for service, spec in local.services : service => try(tostring(spec.repository), service)
  }
  catalog_ecr_repositories = [
    for repository in values(local.service_repositories) : repository
    if length(regexall("^([^/]*[.:][^/]*|localhost)/", repository)) == 0
  ]
  ecr_repositories = toset(concat(local.catalog_ecr_repositories, var.extra_ecr_repositories))

  # ---------------------------------------------------------------------------------
  # Namespaces the deploy role may write: the variable plus every group's `namespace`.
  # ---------------------------------------------------------------------------------
  group_files = [
    for f in fileset("${path.module}/../groups", "*.{yaml,yml}") : f
    if !contains(["services.yaml", "services.yml"], f)
  ]
  group_namespaces = [
    for f in local.group_files : try(tostring(yamldecode(file("${path.module}/../groups/${f}")).namespace), null)
  ]
  deploy_namespaces = sort(distinct(compact(concat(var.deploy_namespaces, local.group_namespaces))))

  # ---------------------------------------------------------------------------------
  # ARNs computed from the account id, so that policies are fully known at plan time
  # (and the offline plan in the tests can check them).
  # ---------------------------------------------------------------------------------
  arn_prefix      = "arn:${var.aws_partition}"
  cluster_arn     = "${local.arn_prefix}:eks:${var.region}:${var.aws_account_id}:cluster/${var.cluster_name}"
  ecr_arn_prefix  = "${local.arn_prefix}:ecr:${var.region}:${var.aws_account_id}:repository"
  ecr_arns        = [for r in sort(tolist(local.ecr_repositories)) : "${local.ecr_arn_prefix}/${r}"]
  github_oidc_url = "token.actions.githubusercontent.com"
  github_oidc_provider_arn = coalesce(
    var.github_oidc_provider_arn,
    "${local.arn_prefix}:iam::${var.aws_account_id}:oidc-provider/${local.github_oidc_url}",
  )
}
