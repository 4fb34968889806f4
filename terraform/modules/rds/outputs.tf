output "identifier" {
  description = "Identifier of the DB instance, for CloudWatch dimensions."
  value       = aws_db_instance.this.identifier
}

output "endpoint" {
  description = "Connection endpoint of the database."
  value       = aws_db_instance.this.endpoint
}

output "instance_class" {
  description = "Instance class of the database."
  value       = aws_db_instance.this.instance_class
}
