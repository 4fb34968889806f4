output "ec2_role_name" {
  description = "Name of the application instances' role."
  value       = aws_iam_role.ec2.name
}

output "ec2_instance_profile_name" {
  description = "Instance profile of the application instances."
  value       = aws_iam_instance_profile.ec2.name
}

output "deploy_role_arn" {
  description = "ARN of the deploy role."
  value       = aws_iam_role.deploy.arn
}

output "flow_logs_role_arn" {
  description = "ARN of the role VPC Flow Logs assumes."
  value       = aws_iam_role.flow_logs.arn
}

output "rds_monitoring_role_arn" {
  description = "ARN of the RDS enhanced monitoring role."
  value       = aws_iam_role.rds_monitoring.arn
}

output "bastion_events_role_arn" {
  description = "ARN of the role EventBridge uses to stop the bastion."
  value       = aws_iam_role.bastion_events.arn
}
