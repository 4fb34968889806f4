variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lower-case letters, digits, dots and hyphens."
  }
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS; null encrypts with SSE-S3 (AES-256)."
  type        = string
  default     = null
}

variable "versioning" {
  description = "Keep object versions (noncurrent versions move to IA at 30 d, Glacier at 90 d, expire at 365 d)."
  type        = bool
  default     = true
}

variable "expire_current_objects" {
  description = "Move current objects to IA at 30 d and Glacier at 90 d, and expire them at 365 d."
  type        = bool
  default     = true
}

variable "cors_allowed_origins" {
  description = "Origins allowed by CORS; empty for no CORS configuration."
  type        = list(string)
  default     = []
}

variable "policy_json" {
  description = "Extra bucket policy statements (JSON), merged with the deny-insecure-transport statement."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags added to the bucket."
  type        = map(string)
  default     = {}
}
