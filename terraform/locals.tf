locals {
  tags = merge({ Project = "greenlight", ManagedBy = "terraform" }, var.tags)

  availability_zones = coalesce(var.availability_zones, ["${var.region}a", "${var.region}b"])

  # ---------------------------------------------------------------------------------
  # The service catalog and the group files. Adding a service to groups/services.yaml,
  # or a group with its own namespace or integration-test image, takes effect on the
  # next apply; nothing to edit here.
  # ---------------------------------------------------------------------------------
  groups_dir   = "${path.module}/../groups"
  catalog_file = "${local.groups_dir}/services.yaml"
  catalog      = yamldecode(file(local.catalog_file))
  services     = try(local.catalog.services, {})

  group_files = [
    for f in fileset(local.groups_dir, "*.{yaml,yml}") : "${local.groups_dir}/${f}"
    if !contains(["services.yaml", "services.yml"], f)
  ]
  # A file that is not a group (or not YAML) contributes nothing; Greenlight's own
  # validation reports it.
  group_namespaces  = [for f in local.group_files : try(tostring(yamldecode(file(f)).namespace), null)]
  group_test_images = compact([for f in local.group_files : try(tostring(yamldecode(file(f)).integration.image), null)])
  # The switch probe image a group names (promotion.probe.image) is built and pushed like a service's.
  group_probe_images = compact([for f in local.group_files : try(tostring(yamldecode(file(f)).promotion.probe.image), null)])

  # `repository` is an ECR repository name, or an image path in another registry
  # (first path segment with a '.' or ':', or "localhost", as Docker decides it).
  # Only ECR names get a repository here. A service without `repository` uses its name.
  # Integration-test and switch probe images count too, without their :tag or @digest.
  wanted_repositories = concat(
    [for service, spec in local.services : try(tostring(spec.repository), service)],
    [for image in concat(local.group_test_images, local.group_probe_images) : replace(replace(image, "/@.*$/", ""), "/:[^/]*$/", "")],
  )
  catalog_ecr_repositories = [
    for repository in local.wanted_repositories : repository
    if length(regexall("^([^/]*[.:][^/]*|localhost)/", repository)) == 0
  ]
  ecr_repositories = toset(concat(local.catalog_ecr_repositories, var.extra_ecr_repositories))

  # Namespaces the deploy role may write: the variable plus every group's `namespace`.
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
