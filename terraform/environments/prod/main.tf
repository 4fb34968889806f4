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

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_elb_service_account" "current" {}

locals {
  name = "ecia-${var.environment}"
  tags = {
    Project     = "ecia"
    Environment = var.environment
    ManagedBy   = "terraform"
  }
  alb_logs_prefix = "alb"
}

module "kms" {
  source = "../../modules/kms"
  name   = local.name
  keys = {
    s3      = "S3 server-side encryption for ${local.name}"
    rds     = "RDS storage encryption for ${local.name}"
    secrets = "Secrets Manager encryption for ${local.name}"
  }
  tags = local.tags
}

module "state_backend" {
  source          = "../../modules/state_backend"
  bucket_name     = "${local.name}-tf-state"
  lock_table_name = "${local.name}-tf-lock"
  kms_key_arn     = module.kms.key_arns["s3"]
  tags            = local.tags
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
  flow_log_role_arn     = module.iam.flow_logs_role_arn
  tags                  = local.tags
}

module "security_groups" {
  source            = "../../modules/security_groups"
  name              = local.name
  vpc_id            = module.vpc.vpc_id
  ssh_allowed_cidrs = var.ssh_allowed_cidrs
  tags              = local.tags
}

module "app_bucket" {
  source               = "../../modules/s3"
  bucket_name          = "${local.name}-app"
  kms_key_arn          = module.kms.key_arns["s3"]
  cors_allowed_origins = var.app_cors_origins
  tags                 = local.tags
}

# infracheck:ignore IC-S3-002 reason="Document 003: the logs bucket uses AES-256"
module "logs_bucket" {
  source        = "../../modules/s3"
  bucket_name   = "${local.name}-logs"
  sse_algorithm = "AES256"
  versioning    = false
  tags          = local.tags
}

# Load balancer access logs support SSE-S3 only; the ELB service account may only put objects.
data "aws_iam_policy_document" "alb_logs" {
  statement {
    sid       = "ElbAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${local.name}-alb-logs/${local.alb_logs_prefix}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.current.arn]
    }
  }
}

# infracheck:ignore IC-S3-002 reason="ALB access logs support SSE-S3 only"
module "alb_logs_bucket" {
  source        = "../../modules/s3"
  bucket_name   = "${local.name}-alb-logs"
  sse_algorithm = "AES256"
  versioning    = false
  policy_json   = data.aws_iam_policy_document.alb_logs.json
  tags          = local.tags
}

module "secrets" {
  source      = "../../modules/secrets"
  name        = local.name
  kms_key_arn = module.kms.key_arns["secrets"]
  db_username = var.db_username
  db_name     = var.db_name
  tags        = local.tags
}

module "ecr" {
  source          = "../../modules/ecr"
  repository_name = "${local.name}-app"
  tags            = local.tags
}

module "iam" {
  source               = "../../modules/iam"
  name                 = local.name
  region               = var.region
  app_bucket_arn       = module.app_bucket.bucket_arn
  db_secret_arn        = module.secrets.db_secret_arn
  kms_key_arns         = [module.kms.key_arns["s3"], module.kms.key_arns["secrets"]]
  flow_log_group_arn   = module.vpc.flow_log_group_arn
  bastion_instance_arn = module.bastion.instance_arn
  tags                 = local.tags
}

module "load_balancer" {
  source              = "../../modules/load_balancer"
  name                = local.name
  vpc_id              = module.vpc.vpc_id
  subnet_ids          = module.vpc.public_subnet_ids
  security_group_id   = module.security_groups.alb_security_group_id
  certificate_arn     = var.acm_certificate_arn
  access_logs_bucket  = module.alb_logs_bucket.bucket_id
  access_logs_prefix  = local.alb_logs_prefix
  deletion_protection = var.environment == "prod"
  tags                = local.tags
}

module "compute" {
  source                = "../../modules/compute"
  name                  = local.name
  environment           = var.environment
  region                = var.region
  instance_type         = var.instance_type
  key_name              = var.key_name
  security_group_id     = module.security_groups.app_security_group_id
  instance_profile_name = module.iam.ec2_instance_profile_name
  subnet_ids            = module.vpc.private_subnet_ids
  target_group_arn      = module.load_balancer.target_group_arn
  db_secret_arn         = module.secrets.db_secret_arn
  repository_url        = module.ecr.repository_url
  min_size              = var.asg_min_size
  max_size              = var.asg_max_size
  desired_capacity      = var.asg_desired_capacity
  tags                  = local.tags
}

module "bastion" {
  source            = "../../modules/bastion"
  name              = local.name
  region            = var.region
  partition         = data.aws_partition.current.partition
  subnet_id         = module.vpc.public_subnet_ids[0]
  security_group_id = module.security_groups.bastion_security_group_id
  key_name          = var.key_name
  events_role_arn   = module.iam.bastion_events_role_arn
  tags              = local.tags
}

module "rds" {
  source               = "../../modules/rds"
  name                 = local.name
  instance_class       = var.db_instance_class
  multi_az             = var.db_multi_az
  db_name              = var.db_name
  username             = var.db_username
  password             = module.secrets.db_password
  kms_key_arn          = module.kms.key_arns["rds"]
  db_subnet_group_name = module.vpc.database_subnet_group_name
  security_group_id    = module.security_groups.db_security_group_id
  monitoring_role_arn  = module.iam.rds_monitoring_role_arn
  deletion_protection  = var.environment == "prod"
  tags                 = local.tags
}

module "cloudwatch" {
  source                  = "../../modules/cloudwatch"
  name                    = local.name
  region                  = var.region
  alert_email             = var.alert_email
  autoscaling_group_name  = module.compute.autoscaling_group_name
  alb_arn_suffix          = module.load_balancer.arn_suffix
  target_group_arn_suffix = module.load_balancer.target_group_arn_suffix
  db_instance_identifier  = module.rds.identifier
  db_instance_class       = var.db_instance_class
  tags                    = local.tags
}

module "waf" {
  source = "../../modules/waf"
  name   = local.name
  tags   = local.tags

  providers = {
    aws = aws.us_east_1
  }
}

locals {
  origin_domain_name = "origin.${var.domain_name}"
}

module "cloudfront" {
  source             = "../../modules/cloudfront"
  name               = local.name
  origin_domain_name = local.origin_domain_name
  origin_https       = true
  aliases            = [var.domain_name, "www.${var.domain_name}"]
  certificate_arn    = var.cloudfront_certificate_arn
  web_acl_arn        = module.waf.web_acl_arn
  tags               = local.tags
}

module "route53" {
  source                    = "../../modules/route53"
  name                      = local.name
  zone_id                   = var.hosted_zone_id
  domain_name               = var.domain_name
  cloudfront_domain_name    = module.cloudfront.domain_name
  cloudfront_hosted_zone_id = module.cloudfront.hosted_zone_id
  alb_dns_name              = module.load_balancer.dns_name
  alb_zone_id               = module.load_balancer.zone_id
  alert_email               = var.alert_email
  tags                      = local.tags

  providers = {
    aws = aws.us_east_1
  }
}
