terraform {
  # use_lockfile (S3-native state locking) needs Terraform 1.10 or newer.
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5.100.0 is the provider in this machine's plugin mirror and the one the tests
      # run. See README.md ("ECR tag mutability") for what changes on provider 6.x.
      version = "~> 5.100"
    }
  }

  # Partial configuration: bucket and region come from `-backend-config=backend.hcl`
  # (see backend.hcl.example and README.md "Bootstrap"). Locking uses a lock object
  # next to the state in S3; no DynamoDB table.
  backend "s3" {
    key          = "greenlight/terraform.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}
