# The remote state of an environment: a KMS-encrypted, versioned bucket (whose current objects never
# expire) and the DynamoDB table that locks it.

module "bucket" {
  source                 = "../s3"
  bucket_name            = var.bucket_name
  kms_key_arn            = var.kms_key_arn
  versioning             = true
  expire_current_objects = false
  tags                   = var.tags
}

resource "aws_dynamodb_table" "lock" {
  name                        = var.lock_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "LockID"
  deletion_protection_enabled = false

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = merge(var.tags, { Name = var.lock_table_name })
}
