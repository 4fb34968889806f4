output "key_arns" {
  description = "Key ARNs by purpose."
  value       = { for purpose, key in aws_kms_key.this : purpose => key.arn }
}

output "alias_names" {
  description = "Alias names by purpose, e.g. alias/ecia-prod-s3."
  value       = { for purpose, alias in aws_kms_alias.this : purpose => alias.name }
}
