variable "name" {
  description = "Name prefix for the key aliases, e.g. ecia-prod."
  type        = string
}

variable "keys" {
  description = "Keys to create, by purpose (s3, rds, secrets), with a description each."
  type        = map(string)
  validation {
    condition     = alltrue([for k in keys(var.keys) : can(regex("^[a-z0-9-]+$", k))])
    error_message = "Key purposes must be lower-case letters, digits and hyphens; they become alias names."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion completes."
  type        = number
  default     = 7
  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "tags" {
  description = "Tags added to every key."
  type        = map(string)
  default     = {}
}
