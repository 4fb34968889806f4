variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string
  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "ap-south-1"
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
