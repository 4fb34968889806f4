output "vpc_id" {
  description = "ID of the environment's VPC."
  value       = module.platform.vpc_id
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs of the environment."
  value       = module.platform.nat_gateway_ids
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.platform.alb_dns_name
}

output "cloudfront_domain_name" {
  description = "Domain name of the CloudFront distribution."
  value       = module.platform.cloudfront_domain_name
}

output "bastion_public_ip" {
  description = "Elastic IP of the bastion host."
  value       = module.platform.bastion_public_ip
}

output "db_endpoint" {
  description = "Endpoint of the MySQL database."
  value       = module.platform.db_endpoint
}

output "db_secret_arn" {
  description = "Secret with the database credentials."
  value       = module.platform.db_secret_arn
}

output "ecr_repository_url" {
  description = "Repository of the application image."
  value       = module.platform.ecr_repository_url
}

output "deploy_role_arn" {
  description = "Role the deployment pipeline assumes."
  value       = module.platform.deploy_role_arn
}
