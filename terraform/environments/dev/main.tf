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

# Document 003 gives this environment no certificate (ACM none): the load balancer serves HTTP and
# CloudFront its *.cloudfront.net name, reaching the load balancer over HTTP. Prod has certificates
# and is checked for all four.
# infracheck:ignore IC-ELB-002 reason="Document 003: no certificate in this environment (ACM none), HTTP only"
# infracheck:ignore IC-CF-002,IC-CF-003,IC-CF-007 reason="Document 003: no certificate in this environment; CloudFront's default certificate, HTTP to the ALB"
module "platform" {
  source = "../../modules/platform"

  environment           = var.environment
  region                = var.region
  vpc_cidr              = var.vpc_cidr
  azs                   = var.azs
  public_subnet_cidrs   = var.public_subnet_cidrs
  private_subnet_cidrs  = var.private_subnet_cidrs
  database_subnet_cidrs = var.database_subnet_cidrs
  nat_gateway_per_az    = var.nat_gateway_per_az
  instance_type         = var.instance_type
  asg_min_size          = var.asg_min_size
  asg_max_size          = var.asg_max_size
  asg_desired_capacity  = var.asg_desired_capacity
  key_name              = var.key_name
  ssh_allowed_cidrs     = var.ssh_allowed_cidrs
  db_instance_class     = var.db_instance_class
  db_multi_az           = var.db_multi_az
  db_name               = var.db_name
  db_username           = var.db_username
  acm_certificate_arn   = var.acm_certificate_arn
  app_cors_origins      = var.app_cors_origins
  alert_email           = var.alert_email
  tags                  = local.tags

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
}
