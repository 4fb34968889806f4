terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # The bucket and the lock table are this environment's module.platform.module.state_backend
  # (bootstrapped with local state, then migrated with terraform init -migrate-state).
  backend "s3" {
    bucket         = "ecia-prod-tf-state"
    key            = "prod/terraform.tfstate"
    region         = "ap-south-1"
    encrypt        = true
    kms_key_id     = "alias/ecia-prod-s3"
    dynamodb_table = "ecia-prod-tf-lock"
  }
}
