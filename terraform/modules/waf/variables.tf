variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "log_retention_days" {
  description = "Days to keep the WAF logs."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
