output "vpc_id" {
  description = "ID of the environment's VPC."
  value       = module.vpc.vpc_id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs of the environment."
  value       = module.vpc.nat_gateway_ids
}
