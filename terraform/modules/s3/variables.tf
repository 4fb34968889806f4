variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lower-case letters, digits, dots and hyphens."
  }
}

variable "sse_algorithm" {
  description = "Default encryption: aws:kms (with kms_key_arn) or AES256 (SSE-S3, which load balancer access logs require)."
  type        = string
  default     = "aws:kms"
  validation {
    condition     = contains(["aws:kms", "AES256"], var.sse_algorithm)
    error_message = "sse_algorithm must be aws:kms or AES256."
  }
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS; null with AES256."
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
