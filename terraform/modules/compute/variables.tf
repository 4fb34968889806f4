variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "environment" {
  description = "Environment name, passed to the application."
  type        = string
}

variable "region" {
  description = "Region of the environment."
  type        = string
}

variable "ami_ssm_parameter" {
  description = "Public SSM parameter that names the current Amazon Linux 2023 AMI."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "instance_type" {
  description = "Instance type of the application instances."
  type        = string
}

variable "key_name" {
  description = "EC2 key pair for SSH through the bastion."
  type        = string
}

variable "security_group_id" {
  description = "Security group of the application instances."
  type        = string
}

variable "instance_profile_name" {
  description = "Instance profile of the application instances."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets, one per availability zone."
  type        = list(string)
}

variable "target_group_arn" {
  description = "Target group the instances register with."
  type        = string
}

variable "app_port" {
  description = "Port the application listens on."
  type        = number
  default     = 8080
}

variable "db_secret_arn" {
  description = "Secret with the database credentials, read by the application at start."
  type        = string
}

variable "repository_url" {
  description = "ECR repository of the application image."
  type        = string
}

variable "root_volume_size" {
  description = "Size of the encrypted gp3 root volume, in GiB."
  type        = number
  default     = 20
}

variable "min_size" {
  description = "Minimum number of instances."
  type        = number
}

variable "max_size" {
  description = "Maximum number of instances."
  type        = number
}

variable "desired_capacity" {
  description = "Instances during the day (07:00-20:00 UTC)."
  type        = number
  validation {
    condition     = var.desired_capacity >= 1
    error_message = "desired_capacity must be at least 1."
  }
}

variable "cpu_target" {
  description = "Average CPU utilization (percent) that target tracking keeps."
  type        = number
  default     = 60
}

variable "tags" {
  description = "Tags added to every resource and instance."
  type        = map(string)
  default     = {}
}
