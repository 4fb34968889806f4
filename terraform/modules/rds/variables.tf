variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "engine_version" {
  description = "MySQL version."
  type        = string
  default     = "8.0.39"
  validation {
    condition     = startswith(var.engine_version, "8.0.")
    error_message = "The parameter group is for the mysql8.0 family; engine_version must be 8.0.x."
  }
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
}

variable "multi_az" {
  description = "Keep a synchronous standby in another availability zone."
  type        = bool
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,63}$", var.db_name))
    error_message = "db_name must start with a letter and hold only letters, digits and underscores."
  }
}

variable "username" {
  description = "Master user name."
  type        = string
  default     = "admin_user"
}

variable "password" {
  description = "Master password (from the secrets module)."
  type        = string
  sensitive   = true
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the storage, snapshots and backups."
  type        = string
}

variable "db_subnet_group_name" {
  description = "DB subnet group over the database subnets."
  type        = string
}

variable "security_group_id" {
  description = "Security group of the database."
  type        = string
}

variable "monitoring_role_arn" {
  description = "Role for enhanced monitoring."
  type        = string
}

variable "backup_retention_days" {
  description = "Days automated backups are kept."
  type        = number
  default     = 1
  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "deletion_protection" {
  description = "Protect the instance from deletion."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
