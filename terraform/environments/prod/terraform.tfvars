environment           = "prod"
vpc_cidr              = "10.1.0.0/16"
azs                   = ["ap-south-1a", "ap-south-1b", "ap-south-1c"]
public_subnet_cidrs   = ["10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"]
private_subnet_cidrs  = ["10.1.10.0/24", "10.1.11.0/24", "10.1.12.0/24"]
database_subnet_cidrs = ["10.1.20.0/24", "10.1.21.0/24", "10.1.22.0/24"]
nat_gateway_per_az    = true
