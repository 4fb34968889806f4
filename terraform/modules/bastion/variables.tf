variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "region" {
  description = "Region of the environment (where the stop automation runs)."
  type        = string
}

variable "partition" {
  description = "AWS partition of the account (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "ami_ssm_parameter" {
  description = "Public SSM parameter that names the current Amazon Linux 2023 AMI."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

variable "instance_type" {
  description = "Instance type of the bastion."
  type        = string
  default     = "t3.nano"
}

variable "subnet_id" {
  description = "Public subnet of the bastion."
  type        = string
}

variable "security_group_id" {
  description = "Security group of the bastion."
  type        = string
}

variable "key_name" {
  description = "EC2 key pair for SSH."
  type        = string
}

variable "events_role_arn" {
  description = "Role EventBridge assumes to start the stop automation."
  type        = string
}

variable "stop_schedule" {
  description = "When the bastion is stopped (EventBridge schedule expression, UTC)."
  type        = string
  default     = "cron(0 0 * * ? *)"
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
