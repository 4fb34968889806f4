output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Hosted zone of the load balancer, for alias records."
  value       = aws_lb.this.zone_id
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer, for CloudWatch dimensions."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "ARN of the application target group."
  value       = aws_lb_target_group.app.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group, for CloudWatch dimensions."
  value       = aws_lb_target_group.app.arn_suffix
}

output "https_enabled" {
  description = "Whether the load balancer serves HTTPS."
  value       = local.https
}
