variable "name" {
  description = "Name prefix for every resource, e.g. ecia-prod."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  validation {
    condition     = can(cidrnetmask(var.cidr_block))
    error_message = "cidr_block must be an IPv4 CIDR block such as 10.1.0.0/16."
  }
}

variable "azs" {
  description = "Availability zones to spread the subnets over, in order."
  type        = list(string)
  validation {
    condition     = length(var.azs) >= 2
    error_message = "At least two availability zones are required."
  }
}

variable "public_subnet_cidrs" {
  description = "One public subnet CIDR per availability zone, in the order of azs."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "One private (application) subnet CIDR per availability zone, in the order of azs."
  type        = list(string)
}

variable "database_subnet_cidrs" {
  description = "One database subnet CIDR per availability zone, in the order of azs."
  type        = list(string)
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (prod); otherwise a single NAT gateway in the first zone."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days to keep VPC flow logs in CloudWatch Logs."
  type        = number
  default     = 30
}

variable "flow_log_role_arn" {
  description = "IAM role that VPC Flow Logs assumes to write to the log group."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
