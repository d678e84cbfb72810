using NetGen;

namespace NetGen.Samples.LeNet;

/// <summary>
/// LeNet-5 on 28×28 digits: a 5×5 convolution padded to keep 28×28, max pooling to 14×14, a 5×5 convolution to
/// 10×10, max pooling to 5×5, then 400-120-84-10 dense layers. Logits out; the loss applies softmax.
/// </summary>
[Network]
[Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Flatten]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class LeNet5;
