# One ECR repository per service in groups/services.yaml (plus extra_ecr_repositories).
#
# Tags: `sha-<40 hex>` per commit, immutable; `branch-<sanitized branch>` is the moving
# last-good tag, mutable. ECR expresses that as IMMUTABLE_WITH_EXCLUSION with wildcard
# exclusion filters. The aws provider 5.100.0 used here predates that mode (it accepts
# only MUTABLE and IMMUTABLE and has no exclusion-filter block; 6.x added them), so:
#
#   1. the repository is created IMMUTABLE: if step 2 never runs, every tag is
#      immutable and moving a last-good tag fails loudly instead of SHA tags becoming
#      overwritable;
#   2. terraform_data.ecr_tag_mutability calls `aws ecr put-image-tag-mutability`
#      once per repository (again only if the repository is replaced or the filters
#      change) to switch it to IMMUTABLE_WITH_EXCLUSION;
#   3. image_tag_mutability is in ignore_changes, so Terraform does not undo step 2.
#
# The price: Terraform does not notice if someone changes the mutability by hand.
# README.md "ECR tag mutability" says how to move to the native block on provider 6.x.

resource "aws_ecr_repository" "this" {
  for_each = local.ecr_repositories

  name                 = each.value
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.ecr_force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  lifecycle {
    ignore_changes = [image_tag_mutability]

    precondition {
      condition     = can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$", each.value)) && length(each.value) >= 2 && length(each.value) <= 256
      error_message = "ECR repository name \"${each.value}\" (from groups/services.yaml or extra_ecr_repositories) is not valid: lowercase letters, digits, '.', '_', '-' and '/' separators, 2-256 characters."
    }
  }
}

resource "terraform_data" "ecr_tag_mutability" {
  for_each = aws_ecr_repository.this

  input = {
    registry_id          = var.aws_account_id
    region               = var.region
    repository           = each.value.name
    image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"
    exclusion_filters    = [for f in var.ecr_mutable_tag_filters : { filterType = "WILDCARD", filter = f }]
  }

  # Run again when the filters change...
  triggers_replace = [var.ecr_mutable_tag_filters]

  lifecycle {
    # ...or when the repository is created again.
    replace_triggered_by = [aws_ecr_repository.this[each.key].id]
  }

  provisioner "local-exec" {
    command = "aws ecr put-image-tag-mutability --region \"$REGION\" --registry-id \"$REGISTRY_ID\" --repository-name \"$REPOSITORY\" --image-tag-mutability \"$MUTABILITY\" --image-tag-mutability-exclusion-filters \"$FILTERS\" --output json"

    environment = {
      REGION      = self.input.region
      REGISTRY_ID = self.input.registry_id
      REPOSITORY  = self.input.repository
      MUTABILITY  = self.input.image_tag_mutability
      FILTERS     = jsonencode(self.input.exclusion_filters)
    }
  }
}

# Lifecycle rules count images, not tags, and an image matched by a higher-priority
# rule's tag selection is never expired by a lower-priority rule. So:
#   - priorities 1..n "keep" every image carrying a protected (last-good) tag: expire
#     only beyond 9999 such images, which one tag per branch never reaches;
#   - untagged images (orphans, old attestation manifests) go after N days;
#   - images whose tags are only sha-* go after N days (null: never). A sha-* image
#     still deployed by digest but no longer last-good of any branch can expire:
#     keep ecr_sha_image_retention_days longer than anything stays deployed.
locals {
  ecr_protected_rules = [
    for i, prefix in var.ecr_protected_tag_prefixes : {
      rulePriority = i + 1
      description  = "Keep images carrying a last-good tag (${prefix}*)"
      selection = {
        tagStatus     = "tagged"
        tagPrefixList = [prefix]
        countType     = "imageCountMoreThan"
        countNumber   = 9999
      }
      action = { type = "expire" }
    }
  ]

  ecr_untagged_rule = {
    rulePriority = 100
    description  = "Expire untagged images after ${var.ecr_untagged_retention_days} days"
    selection = {
      tagStatus   = "untagged"
      countType   = "sinceImagePushed"
      countUnit   = "days"
      countNumber = var.ecr_untagged_retention_days
    }
    action = { type = "expire" }
  }

  ecr_sha_rules = var.ecr_sha_image_retention_days == null ? [] : [{
    rulePriority = 200
    description  = "Expire per-commit images (${var.ecr_sha_tag_prefix}*) without a last-good tag after ${var.ecr_sha_image_retention_days} days"
    selection = {
      tagStatus     = "tagged"
      tagPrefixList = [var.ecr_sha_tag_prefix]
      countType     = "sinceImagePushed"
      countUnit     = "days"
      countNumber   = var.ecr_sha_image_retention_days
    }
    action = { type = "expire" }
  }]

  ecr_lifecycle_policy = jsonencode({
    rules = concat(local.ecr_protected_rules, [local.ecr_untagged_rule], local.ecr_sha_rules)
  })
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy     = local.ecr_lifecycle_policy
}
