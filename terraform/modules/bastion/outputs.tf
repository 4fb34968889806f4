output "instance_arn" {
  description = "ARN of the bastion instance."
  value       = aws_instance.this.arn
}

output "public_ip" {
  description = "Elastic IP of the bastion."
  value       = aws_eip.this.public_ip
}
