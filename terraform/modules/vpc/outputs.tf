output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnet IDs, in the order of azs."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private (application) subnet IDs, in the order of azs."
  value       = aws_subnet.private[*].id
}

output "database_subnet_group_name" {
  description = "Name of the DB subnet group over the database subnets."
  value       = aws_db_subnet_group.this.name
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs: one per zone, or one in all."
  value       = aws_nat_gateway.this[*].id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "flow_log_group_arn" {
  description = "ARN of the CloudWatch log group that receives the VPC flow logs."
  value       = aws_cloudwatch_log_group.flow_logs.arn
}
