output "health_check_id" {
  description = "ID of the site's health check."
  value       = aws_route53_health_check.site.id
}

output "origin_domain_name" {
  description = "Name CloudFront uses to reach the load balancer."
  value       = aws_route53_record.origin.fqdn
}
