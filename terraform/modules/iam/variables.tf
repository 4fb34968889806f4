variable "name" {
  description = "Name prefix for every role, e.g. ecia-prod."
  type        = string
}

variable "region" {
  description = "Region of the environment (the SSM automation runs there)."
  type        = string
}

variable "app_bucket_arn" {
  description = "ARN of the application bucket the instances read and write."
  type        = string
}

variable "db_secret_arn" {
  description = "ARN of the Secrets Manager secret with the database credentials."
  type        = string
}

variable "kms_key_arns" {
  description = "KMS keys the instances may decrypt with (S3 and Secrets Manager keys)."
  type        = list(string)
}

variable "flow_log_group_arn" {
  description = "ARN of the log group the VPC flow logs are written to."
  type        = string
}

variable "bastion_instance_arn" {
  description = "ARN of the bastion instance that EventBridge stops every night."
  type        = string
}

variable "tags" {
  description = "Tags added to every role."
  type        = map(string)
  default     = {}
}
