package io.swarmscaler.controller.aws;

import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** The SDK clients the groups of one backend share, and how their failures become the scaler's errors. */
record AwsApi(AutoScalingClient autoScaling, Ec2Client ec2, AwsFailures failures) {}
