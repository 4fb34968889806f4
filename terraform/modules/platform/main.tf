# One environment of document 003's architecture: every module, wired together. The environment
# roots (environments/<env>) configure the providers and the backend and pass their values in.
#
# Prod differs from dev and staging only through inputs: an ALB certificate (acm_certificate_arn)
# turns on HTTPS at the load balancer; a domain (domain_name, with cloudfront_certificate_arn)
# puts CloudFront on it, reaching the load balancer over HTTPS at origin.<domain>; a hosted zone
# (hosted_zone_id) adds the Route 53 records and health check. Without them CloudFront serves its
# *.cloudfront.net name and reaches the load balancer's own DNS name over HTTP.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_elb_service_account" "current" {}

locals {
  name            = "ecia-${var.environment}"
  alb_logs_prefix = "alb"
  custom_domain   = var.domain_name != null
}

module "kms" {
  source = "../kms"
  name   = local.name
  keys = {
    s3      = "S3 server-side encryption for ${local.name}"
    rds     = "RDS storage encryption for ${local.name}"
    secrets = "Secrets Manager encryption for ${local.name}"
  }
  tags = var.tags
}

module "state_backend" {
  source          = "../state_backend"
  bucket_name     = "${local.name}-tf-state"
  lock_table_name = "${local.name}-tf-lock"
  kms_key_arn     = module.kms.key_arns["s3"]
  tags            = var.tags
}

module "vpc" {
  source                = "../vpc"
  name                  = local.name
  cidr_block            = var.vpc_cidr
  azs                   = var.azs
  public_subnet_cidrs   = var.public_subnet_cidrs
  private_subnet_cidrs  = var.private_subnet_cidrs
  database_subnet_cidrs = var.database_subnet_cidrs
  nat_gateway_per_az    = var.nat_gateway_per_az
  flow_log_role_arn     = module.iam.flow_logs_role_arn
  tags                  = var.tags
}

module "security_groups" {
  source            = "../security_groups"
  name              = local.name
  vpc_id            = module.vpc.vpc_id
  ssh_allowed_cidrs = var.ssh_allowed_cidrs
  tags              = var.tags
}

module "app_bucket" {
  source               = "../s3"
  bucket_name          = "${local.name}-app"
  kms_key_arn          = module.kms.key_arns["s3"]
  cors_allowed_origins = var.app_cors_origins
  tags                 = var.tags
}

# infracheck:ignore IC-S3-002 reason="Document 003: the logs bucket uses AES-256"
module "logs_bucket" {
  source        = "../s3"
  bucket_name   = "${local.name}-logs"
  sse_algorithm = "AES256"
  versioning    = false
  tags          = var.tags
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
  source        = "../s3"
  bucket_name   = "${local.name}-alb-logs"
  sse_algorithm = "AES256"
  versioning    = false
  policy_json   = data.aws_iam_policy_document.alb_logs.json
  tags          = var.tags
}

module "secrets" {
  source      = "../secrets"
  name        = local.name
  kms_key_arn = module.kms.key_arns["secrets"]
  db_username = var.db_username
  db_name     = var.db_name
  tags        = var.tags
}

module "ecr" {
  source          = "../ecr"
  repository_name = "${local.name}-app"
  tags            = var.tags
}

module "iam" {
  source               = "../iam"
  name                 = local.name
  region               = var.region
  app_bucket_arn       = module.app_bucket.bucket_arn
  db_secret_arn        = module.secrets.db_secret_arn
  kms_key_arns         = [module.kms.key_arns["s3"], module.kms.key_arns["secrets"]]
  flow_log_group_arn   = module.vpc.flow_log_group_arn
  bastion_instance_arn = module.bastion.instance_arn
  tags                 = var.tags
}

# Without acm_certificate_arn the listener serves HTTP only (IC-ELB-002): dev and staging suppress
# that on their module "platform" block, so that prod, which has a certificate, stays checked.
module "load_balancer" {
  source              = "../load_balancer"
  name                = local.name
  vpc_id              = module.vpc.vpc_id
  subnet_ids          = module.vpc.public_subnet_ids
  security_group_id   = module.security_groups.alb_security_group_id
  certificate_arn     = var.acm_certificate_arn
  access_logs_bucket  = module.alb_logs_bucket.bucket_id
  access_logs_prefix  = local.alb_logs_prefix
  deletion_protection = var.environment == "prod"
  tags                = var.tags
}

module "compute" {
  source                = "../compute"
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
  tags                  = var.tags
}

module "bastion" {
  source            = "../bastion"
  name              = local.name
  region            = var.region
  partition         = data.aws_partition.current.partition
  subnet_id         = module.vpc.public_subnet_ids[0]
  security_group_id = module.security_groups.bastion_security_group_id
  key_name          = var.key_name
  events_role_arn   = module.iam.bastion_events_role_arn
  tags              = var.tags
}

module "rds" {
  source               = "../rds"
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
  tags                 = var.tags
}

module "cloudwatch" {
  source                  = "../cloudwatch"
  name                    = local.name
  region                  = var.region
  alert_email             = var.alert_email
  autoscaling_group_name  = module.compute.autoscaling_group_name
  alb_arn_suffix          = module.load_balancer.arn_suffix
  target_group_arn_suffix = module.load_balancer.target_group_arn_suffix
  db_instance_identifier  = module.rds.identifier
  db_instance_class       = var.db_instance_class
  tags                    = var.tags
}

module "waf" {
  source = "../waf"
  name   = local.name
  tags   = var.tags

  providers = {
    aws = aws.us_east_1
  }
}

# Without a domain (dev, staging: no certificate) viewers use the distribution's *.cloudfront.net
# name over HTTPS and CloudFront reaches the load balancer over HTTP (IC-CF-002, IC-CF-003: those
# environments suppress them on their module "platform" block).
module "cloudfront" {
  source             = "../cloudfront"
  name               = local.name
  origin_domain_name = local.custom_domain ? "origin.${var.domain_name}" : module.load_balancer.dns_name
  origin_https       = local.custom_domain
  aliases            = local.custom_domain ? [var.domain_name, "www.${var.domain_name}"] : []
  certificate_arn    = var.cloudfront_certificate_arn
  web_acl_arn        = module.waf.web_acl_arn
  tags               = var.tags
}

module "route53" {
  source = "../route53"
  count  = var.hosted_zone_id == null ? 0 : 1

  name                      = local.name
  zone_id                   = var.hosted_zone_id
  domain_name               = var.domain_name
  cloudfront_domain_name    = module.cloudfront.domain_name
  cloudfront_hosted_zone_id = module.cloudfront.hosted_zone_id
  alb_dns_name              = module.load_balancer.dns_name
  alb_zone_id               = module.load_balancer.zone_id
  alert_email               = var.alert_email
  tags                      = var.tags

  providers = {
    aws = aws.us_east_1
  }
}
