output "domain_name" {
  description = "Domain name of the distribution."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "hosted_zone_id" {
  description = "Hosted zone of the distribution, for alias records."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}
