variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "vpc_id" {
  description = "VPC the groups belong to."
  type        = string
}

variable "app_port" {
  description = "Port the application listens on behind the load balancer."
  type        = number
  default     = 8080
}

variable "ssh_allowed_cidrs" {
  description = "Single addresses (/32) allowed to reach SSH on the bastion and the application instances."
  type        = list(string)
  validation {
    condition     = alltrue([for c in var.ssh_allowed_cidrs : can(cidrhost(c, 0)) && endswith(c, "/32")])
    error_message = "ssh_allowed_cidrs must be single IPv4 addresses written as /32 CIDR blocks."
  }
}

variable "tags" {
  description = "Tags added to every group."
  type        = map(string)
  default     = {}
}
