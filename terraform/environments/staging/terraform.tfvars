environment           = "staging"
vpc_cidr              = "10.2.0.0/16"
azs                   = ["ap-south-1a", "ap-south-1b"]
public_subnet_cidrs   = ["10.2.1.0/24", "10.2.2.0/24"]
private_subnet_cidrs  = ["10.2.10.0/24", "10.2.11.0/24"]
database_subnet_cidrs = ["10.2.20.0/24", "10.2.21.0/24"]
nat_gateway_per_az    = false
