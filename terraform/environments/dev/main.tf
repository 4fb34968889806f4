provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

locals {
  name = "ecia-${var.environment}"
  tags = {
    Project     = "ecia"
    Environment = var.environment
    ManagedBy   = "terraform"
  }
}

module "kms" {
  source = "../../modules/kms"
  name   = local.name
  keys = {
    s3      = "S3 server-side encryption for ${local.name}"
    rds     = "RDS storage encryption for ${local.name}"
    secrets = "Secrets Manager encryption for ${local.name}"
    logs    = "CloudWatch Logs encryption for ${local.name}"
  }
  tags = local.tags
}

module "vpc" {
  source                = "../../modules/vpc"
  name                  = local.name
  cidr_block            = var.vpc_cidr
  azs                   = var.azs
  public_subnet_cidrs   = var.public_subnet_cidrs
  private_subnet_cidrs  = var.private_subnet_cidrs
  database_subnet_cidrs = var.database_subnet_cidrs
  nat_gateway_per_az    = var.nat_gateway_per_az
  flow_log_kms_key_arn  = module.kms.key_arns["logs"]
  tags                  = local.tags
}
