variable "name" {
  description = "Name prefix, e.g. ecia-prod."
  type        = string
}

variable "region" {
  description = "Region of the metrics on the dashboard."
  type        = string
}

variable "alert_email" {
  description = "Address subscribed to the alerts topic."
  type        = string
  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an email address."
  }
}

variable "autoscaling_group_name" {
  description = "Auto scaling group of the application."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the load balancer."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the application target group."
  type        = string
}

variable "db_instance_identifier" {
  description = "Identifier of the DB instance."
  type        = string
}

variable "db_instance_class" {
  description = "Class of the DB instance; sets the connections alarm at 80% of MySQL's default max_connections."
  type        = string
  validation {
    condition     = contains(["db.t3.micro", "db.t3.small", "db.t3.medium", "db.t3.large"], var.db_instance_class)
    error_message = "db_instance_class must be a db.t3 class from micro to large."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
