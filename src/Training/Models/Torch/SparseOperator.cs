using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// A constant sparse matrix A as a differentiable torch operation X ↦ A·X (gradient Aᵀ·G). On the CPU the products run
/// in <see cref="SparseKernel"/> over CSR arrays, inside a custom autograd function; on another device (CUDA), or when
/// <c>torchOps</c> forces it, A is a torch sparse COO tensor and the product is torch's <c>mm</c> (the kernel reads host
/// memory only). On the CPU the CSR kernel measured as fast as libtorch's COO
/// product forward and about twice as fast backward (libtorch multiplies by the transposed, uncoalesced COO tensor).
/// </summary>
public sealed class SparseOperator : IDisposable
{
    private readonly SparseKernel? _forward;
    private readonly bool _symmetric;
    private readonly int _threads;

    // Built on the first backward: operators used only without gradients (sage's final inference) never pay for Aᵀ.
    private SparseKernel? _backward;
    private readonly Tensor? _torchMatrix;

    /// <param name="symmetric">A = Aᵀ (LightGCN's Â): the backward reuses the forward kernel instead of a transposed copy.</param>
    /// <param name="torchOps">Use torch's sparse product even on the CPU (the path every non-CPU device takes; for tests).</param>
    public SparseOperator(SparseMatrix matrix, Device device, int threads, bool symmetric = false, bool torchOps = false)
    {
        Matrix = matrix;
        _symmetric = symmetric;
        _threads = threads;
        if (UsesCsrKernel(device, torchOps))
        {
            _forward = new SparseKernel(matrix, threads);
        }
        else
        {
            _torchMatrix = matrix.ToTorch(device);
        }
    }

    public SparseMatrix Matrix { get; }

    /// <summary>A·X for X of shape [ColumnCount, d]; differentiable with respect to X.</summary>
    public Tensor Multiply(Tensor x) =>
        _torchMatrix is not null ? _torchMatrix.mm(x) : CsrProduct.apply(this, x);

    public void Dispose() => _torchMatrix?.Dispose();

    /// <summary>Whether products on <paramref name="device"/> run in the managed CSR kernels (host memory) or in torch's ops.</summary>
    public static bool UsesCsrKernel(Device device, bool torchOps = false) => device.type == DeviceType.CPU && !torchOps;

    /// <summary>The autograd function: forward A·X, backward Aᵀ·G; A travels as a non-tensor argument.</summary>
    private sealed class CsrProduct : torch.autograd.SingleTensorFunction<CsrProduct>
    {
        private const string OperatorKey = "operator";

        public override string Name => nameof(CsrProduct);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var op = (SparseOperator)vars[0];
            ctx.save_data(OperatorKey, op);
            return NativeProduct.Run(op._forward!, (Tensor)vars[1]);
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            var op = (SparseOperator)ctx.get_data(OperatorKey);
            op._backward ??= op._symmetric ? op._forward! : new SparseKernel(SparseKernel.Transpose(op.Matrix), op._threads);
            return [null!, NativeProduct.Run(op._backward, grad_output)];
        }
    }
}
