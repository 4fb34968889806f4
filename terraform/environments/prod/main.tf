provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

# CloudFront-scoped WAF ACLs, their logs, and Route 53 health check alarms live in us-east-1.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"

  default_tags {
    tags = local.tags
  }
}

locals {
  tags = {
    Project     = "ecia"
    Environment = var.environment
    ManagedBy   = "terraform"
  }
}

module "platform" {
  source = "../../modules/platform"

  environment                = var.environment
  region                     = var.region
  vpc_cidr                   = var.vpc_cidr
  azs                        = var.azs
  public_subnet_cidrs        = var.public_subnet_cidrs
  private_subnet_cidrs       = var.private_subnet_cidrs
  database_subnet_cidrs      = var.database_subnet_cidrs
  nat_gateway_per_az         = var.nat_gateway_per_az
  instance_type              = var.instance_type
  asg_min_size               = var.asg_min_size
  asg_max_size               = var.asg_max_size
  asg_desired_capacity       = var.asg_desired_capacity
  key_name                   = var.key_name
  ssh_allowed_cidrs          = var.ssh_allowed_cidrs
  db_instance_class          = var.db_instance_class
  db_multi_az                = var.db_multi_az
  db_name                    = var.db_name
  db_username                = var.db_username
  acm_certificate_arn        = var.acm_certificate_arn
  app_cors_origins           = var.app_cors_origins
  alert_email                = var.alert_email
  domain_name                = var.domain_name
  hosted_zone_id             = var.hosted_zone_id
  cloudfront_certificate_arn = var.cloudfront_certificate_arn
  tags                       = local.tags

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
}
