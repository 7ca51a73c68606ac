"""Print torchvision's published figures (weights.meta: num_params, _ops, the crop) for the weights of the zoo's
transformers and Inception v3, as the entries of tests/reference/torchvision.yaml.

    /tmp/venv-torch/bin/python tests/reference/scripts/torchvision_meta.py
"""

from __future__ import annotations

import torchvision
from torchvision.models import get_model_weights

NAMES = ["vit_b_16", "vit_b_32", "vit_l_16", "vit_l_32", "vit_h_14", "swin_t", "swin_s", "swin_b", "swin_v2_t",
         "swin_v2_s", "swin_v2_b", "maxvit_t", "inception_v3"]


def main() -> None:
    print(f"# torchvision {torchvision.__version__.split('+')[0]}")
    for name in NAMES:
        for weights in get_model_weights(name):
            meta = weights.meta
            crop = weights.transforms().crop_size[0]
            print(f"  {name}@{weights.name}: {{num_params: {meta['num_params']}, ops_g: {meta['_ops']}, crop: {crop}, "
                  f"acc1: {meta['_metrics']['ImageNet-1K']['acc@1']}}}")


if __name__ == "__main__":
    main()
