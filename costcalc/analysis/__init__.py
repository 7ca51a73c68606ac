"""Analyses of an evaluated network: by-kind breakdown (the paper's Table 2), depthwise-separable pairs
against their standard-convolution equivalents (Table 4), ... Each returns data; renderers format it."""
