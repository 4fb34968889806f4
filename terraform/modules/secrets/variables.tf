variable "name" {
  description = "Name prefix; the secret is <name>/db/credentials."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer managed KMS key that encrypts the secret."
  type        = string
}

variable "db_username" {
  description = "Master user name of the database."
  type        = string
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 7
  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "tags" {
  description = "Tags added to the secret."
  type        = map(string)
  default     = {}
}
