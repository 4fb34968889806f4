output "key_arns" {
  description = "Key ARNs by purpose."
  value       = { for purpose, key in aws_kms_key.this : purpose => key.arn }
}
