output "db_secret_arn" {
  description = "ARN of the database credentials secret."
  value       = aws_secretsmanager_secret.db.arn
}

output "db_password" {
  description = "The generated master password, for the RDS instance."
  value       = random_password.db.result
  sensitive   = true
}
