# ---------------------------------------------------------------------------------
# Account and naming
# ---------------------------------------------------------------------------------

variable "aws_account_id" {
  description = "The 12-digit AWS account this configuration manages. The provider refuses any other account, and ARNs are built from it so the plan is complete before anything exists."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id must be exactly 12 digits."
  }
}

variable "aws_partition" {
  description = "AWS partition used in ARNs (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "region" {
  description = "Region for the VPC, EKS and ECR. Billing alarms always go to us-east-1."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix for names of everything created here (IAM roles, SNS topic, alarms, VPC)."
  type        = string
  default     = "greenlight"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name must be 2-31 characters: lowercase letters, digits and '-', starting with a letter."
  }
}

variable "tags" {
  description = "Extra tags put on every resource (through the provider's default_tags)."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC. Subnets are /20s carved out of it."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block."
  }
}

variable "availability_zones" {
  description = "Exactly two availability zones. Default: <region>a and <region>b (no data source, so the plan runs without calling AWS)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.availability_zones == null ? true : length(var.availability_zones) == 2
    error_message = "availability_zones must list exactly two zones."
  }
}

variable "enable_nat_gateway" {
  description = "Add private subnets and one NAT gateway, and run the nodes there. Off by default: a NAT gateway costs more per month than everything else here except the EKS control plane."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------
# EKS
# ---------------------------------------------------------------------------------

variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string
  default     = "greenlight"
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and nodes. Must be one EKS supports in standard support (the local test stack runs 1.34)."
  type        = string
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.34."
  }
}

variable "cluster_support_type" {
  description = "EKS upgrade policy: STANDARD (the cluster is upgraded automatically when standard support ends) or EXTENDED (stays, at six times the control-plane price)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], var.cluster_support_type)
    error_message = "cluster_support_type must be STANDARD or EXTENDED."
  }
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "Networks allowed to reach the public Kubernetes API endpoint (IAM authentication still applies). Narrow this to your office/VPN and the GitHub runners if you can."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "cluster_log_types" {
  description = "Control-plane log types sent to CloudWatch Logs (api, audit, authenticator, controllerManager, scheduler). Empty by default: logs cost money."
  type        = list(string)
  default     = []
}

variable "cluster_addons" {
  description = "EKS add-ons to manage, with an optional pinned version (null: the default version for the cluster at creation; Terraform then keeps whatever is installed)."
  type        = map(object({ version = optional(string) }))
  default = {
    "vpc-cni"                = {}
    "kube-proxy"             = {}
    "coredns"                = {}
    "eks-pod-identity-agent" = {}
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node group. With spot, list several of the same size so capacity is easier to find."
  type        = list(string)
  default     = ["t3.medium", "t3a.medium"]
}

variable "node_spot" {
  description = "Run the managed node group on spot capacity (cheaper; nodes can be reclaimed with two minutes' notice)."
  type        = bool
  default     = false
}

variable "node_min_size" {
  description = "Minimum number of nodes."
  type        = number
  default     = 1
}

variable "node_desired_size" {
  description = "Desired number of nodes."
  type        = number
  default     = 2
}

variable "node_max_size" {
  description = "Maximum number of nodes."
  type        = number
  default     = 3
}

variable "node_disk_size" {
  description = "Root volume size of each node, in GiB."
  type        = number
  default     = 20
}

# ---------------------------------------------------------------------------------
# Cluster access (EKS access entries)
# ---------------------------------------------------------------------------------

variable "cluster_admin_principal_arns" {
  description = "IAM role/user ARNs given cluster-admin (AmazonEKSClusterAdminPolicy). The identity that creates the cluster gets no implicit access: put your own admin role here. For IAM Identity Center roles use the role ARN without the aws-reserved/sso.amazonaws.com/ path."
  type        = list(string)
  default     = []
}

variable "console_viewer_principal_arns" {
  description = "IAM role/user ARNs that may see workloads in the EKS console or Headlamp (AmazonEKSViewPolicy, cluster-wide, no Secrets). They also need the IAM policy output as console_viewer_iam_policy_arn."
  type        = list(string)
  default     = []
}

variable "deploy_namespaces" {
  description = "Namespaces the deploy role may change (AmazonEKSEditPolicy scoped to them). Added to the `namespace` of every groups/*.yaml file, so a new group needs no edit here."
  type        = list(string)
  default     = []
}

variable "deploy_kubernetes_groups" {
  description = "Kubernetes groups the deploy role is mapped to, for RBAC the EKS access policies do not cover (Leases: see rbac/greenlight-deployer.yaml)."
  type        = list(string)
  default     = ["greenlight-deployers"]
}

# ---------------------------------------------------------------------------------
# ECR
# ---------------------------------------------------------------------------------

variable "extra_ecr_repositories" {
  description = "ECR repositories to create besides the ones groups/ names (catalog repositories and groups' integration.image)."
  type        = list(string)
  default     = []
}

variable "ecr_mutable_tag_filters" {
  description = "Wildcard filters of the tags that stay mutable (the last-good tags). Every other tag (sha-<commit>) is immutable. At most 5."
  type        = list(string)
  default     = ["branch-*"]

  validation {
    condition = length(var.ecr_mutable_tag_filters) >= 1 && length(var.ecr_mutable_tag_filters) <= 5 && alltrue([
      for f in var.ecr_mutable_tag_filters : can(regex("^[0-9a-zA-Z._*-]{1,128}$", f)) && length(regexall("\\*", f)) <= 2
    ])
    error_message = "ecr_mutable_tag_filters: 1 to 5 filters of [0-9a-zA-Z._*-], at most 128 characters and 2 wildcards each."
  }
}

variable "ecr_protected_tag_prefixes" {
  description = "Tag prefixes the lifecycle policy never expires (images carrying a last-good tag)."
  type        = list(string)
  default     = ["branch-"]

  validation {
    condition     = length(var.ecr_protected_tag_prefixes) >= 1 && length(var.ecr_protected_tag_prefixes) <= 10 && alltrue([for p in var.ecr_protected_tag_prefixes : length(p) > 0])
    error_message = "ecr_protected_tag_prefixes must hold 1 to 10 non-empty prefixes."
  }
}

variable "ecr_sha_tag_prefix" {
  description = "Prefix of the per-commit tags."
  type        = string
  default     = "sha-"
}

variable "ecr_sha_image_retention_days" {
  description = "Expire images whose tags are only per-commit tags this many days after push (null: keep them). An image that also carries a protected tag is never expired."
  type        = number
  default     = 90

  validation {
    condition     = var.ecr_sha_image_retention_days == null ? true : var.ecr_sha_image_retention_days >= 1
    error_message = "ecr_sha_image_retention_days must be at least 1 day, or null."
  }
}

variable "ecr_untagged_retention_days" {
  description = "Expire untagged images this many days after push."
  type        = number
  default     = 7

  validation {
    condition     = var.ecr_untagged_retention_days >= 1
    error_message = "ecr_untagged_retention_days must be at least 1 day."
  }
}

variable "ecr_force_delete" {
  description = "Allow `terraform destroy` to delete repositories that still hold images."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------
# GitHub OIDC and the deploy role
# ---------------------------------------------------------------------------------

variable "github_oidc_provider_arn" {
  description = "ARN of an existing IAM OIDC provider for token.actions.githubusercontent.com (an account has at most one). null: create it here."
  type        = string
  default     = null
}

variable "github_repositories" {
  description = "Repositories whose workflows may assume the deploy role, and from which branches (refs/heads/<branch>, wildcards allowed), environments, and whether from pull_request events. A job that names an environment presents the environment, not the branch."
  type = list(object({
    repository    = string
    branches      = optional(list(string), [])
    environments  = optional(list(string), [])
    pull_requests = optional(bool, false)
  }))

  validation {
    condition     = alltrue([for r in var.github_repositories : can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", r.repository))])
    error_message = "Each github_repositories[].repository must be OWNER/NAME without wildcards."
  }

  validation {
    condition     = alltrue([for r in var.github_repositories : length(r.branches) + length(r.environments) > 0 || r.pull_requests])
    error_message = "Each github_repositories[] entry must allow at least one branch, environment or pull_requests."
  }
}

variable "deploy_role_name" {
  description = "Name of the IAM role GitHub Actions assumes to push images and deploy."
  type        = string
  default     = "greenlight-deploy"
}

# ---------------------------------------------------------------------------------
# Billing
# ---------------------------------------------------------------------------------

variable "billing_alert_email" {
  description = "Email address subscribed to the billing alarms (and the budget, if enabled). The subscription must be confirmed from the email AWS sends."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.billing_alert_email))
    error_message = "billing_alert_email must be an email address."
  }
}

variable "billing_alarm_thresholds_usd" {
  description = "Estimated-charges thresholds, in USD, that each raise one CloudWatch alarm."
  type        = list(number)
  default     = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]

  validation {
    condition     = length(var.billing_alarm_thresholds_usd) == length(distinct(var.billing_alarm_thresholds_usd)) && alltrue([for t in var.billing_alarm_thresholds_usd : t > 0])
    error_message = "billing_alarm_thresholds_usd must be distinct positive numbers."
  }
}

variable "enable_budget" {
  description = "Also create a monthly AWS Budget with email notifications."
  type        = bool
  default     = false
}

variable "budget_limit_usd" {
  description = "Monthly limit of the optional AWS Budget, in USD."
  type        = number
  default     = 100
}
