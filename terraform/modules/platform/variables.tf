variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string
  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "region" {
  description = "AWS region of the environment (the default provider's)."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
}

variable "azs" {
  description = "Availability zones used by the environment."
  type        = list(string)
}

variable "public_subnet_cidrs" {
  description = "Public subnet CIDRs, one per availability zone."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "Private (application) subnet CIDRs, one per availability zone."
  type        = list(string)
}

variable "database_subnet_cidrs" {
  description = "Database subnet CIDRs, one per availability zone."
  type        = list(string)
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (prod) instead of a single one."
  type        = bool
}

variable "instance_type" {
  description = "Instance type of the application instances."
  type        = string
}

variable "asg_min_size" {
  description = "Minimum number of application instances."
  type        = number
}

variable "asg_max_size" {
  description = "Maximum number of application instances."
  type        = number
}

variable "asg_desired_capacity" {
  description = "Application instances during the day."
  type        = number
}

variable "key_name" {
  description = "EC2 key pair of the application instances and the bastion."
  type        = string
}

variable "ssh_allowed_cidrs" {
  description = "Single addresses (/32) allowed to reach SSH."
  type        = list(string)
}

variable "db_instance_class" {
  description = "Class of the MySQL instance."
  type        = string
}

variable "db_multi_az" {
  description = "Run the database with a Multi-AZ standby."
  type        = bool
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
}

variable "db_username" {
  description = "Master user name of the database."
  type        = string
}

variable "acm_certificate_arn" {
  description = "ACM certificate (in the environment's region) for the load balancer's HTTPS listener; null serves HTTP only."
  type        = string
  default     = null
}

variable "app_cors_origins" {
  description = "Origins allowed to call the application bucket from a browser."
  type        = list(string)
  default     = []
}

variable "alert_email" {
  description = "Address that receives the alarms."
  type        = string
}

variable "domain_name" {
  description = "Apex domain of the site, served by CloudFront under cloudfront_certificate_arn and reached at origin.<domain> over HTTPS; null serves the *.cloudfront.net name and reaches the load balancer over HTTP."
  type        = string
  default     = null
}

variable "hosted_zone_id" {
  description = "Route 53 public hosted zone of domain_name: its apex, www and origin records and the HTTPS health check are created in it; null creates no DNS."
  type        = string
  default     = null
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate in us-east-1 for the apex and www names on CloudFront; null with domain_name null."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to every resource (the roots' providers also set them as default tags)."
  type        = map(string)
  default     = {}
}
