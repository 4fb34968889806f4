name     = "app"
size     = 2
enabled  = true
tags     = { team = "core", "cost-center" = "42" }
zones    = ["eu-west-1a", "eu-west-1b"]
settings = { cidr = "10.1.0.0/16", private = false, ports = [22, 443] }
anything = "m5.large"
checked  = "${upper("x")}"
