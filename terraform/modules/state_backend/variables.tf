variable "bucket_name" {
  description = "Name of the state bucket, as the environments' backend blocks give it."
  type        = string
}

variable "lock_table_name" {
  description = "Name of the DynamoDB lock table, as the environments' backend blocks give it."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the state objects and the lock table."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
