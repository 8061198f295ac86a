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
    private readonly INativeProduct? _forward;
    private readonly bool _symmetric;
    private readonly int _threads;
    private readonly bool _addsIntoKeptGradient;

    // Built on the first backward: operators used only without gradients (sage's final inference) never pay for Aᵀ.
    private INativeProduct? _backward;
    private readonly Tensor? _torchMatrix;
    private LayerMeanProduct? _layerMean;

    /// <param name="symmetric">A = Aᵀ (LightGCN's Â): the backward reuses the forward kernel instead of a transposed copy.</param>
    /// <param name="torchOps">Use torch's sparse product even on the CPU (the path every non-CPU device takes; for tests).</param>
    /// <param name="addsIntoKeptGradient">On the CPU kernels, the backward adds Aᵀ·G into X's gradient in place when X is a
    /// leaf whose gradient is kept (<see cref="KeptGradient"/>: the autoencoders' gathered input rows).</param>
    public SparseOperator(SparseMatrix matrix, Device device, int threads, bool symmetric = false, bool torchOps = false, bool addsIntoKeptGradient = false)
        : this(matrix, device, threads, symmetric, torchOps, () => new SparseKernel(matrix, threads))
    {
        _addsIntoKeptGradient = addsIntoKeptGradient;
    }

    private SparseOperator(SparseMatrix matrix, Device device, int threads, bool symmetric, bool torchOps, Func<INativeProduct> kernel)
    {
        Matrix = matrix;
        _symmetric = symmetric;
        _threads = threads;
        if (UsesCsrKernel(device, torchOps))
        {
            _forward = kernel();
        }
        else
        {
            _torchMatrix = matrix.ToTorch(device);
        }
    }

    /// <summary>
    /// The symmetric adjacency Â of a bipartite graph whose nodes 0..<paramref name="split"/>−1 connect only to the others
    /// (LightGCN's users and movies). On the CPU the movie rows are pushed from the user rows (<see cref="BipartiteSymmetricKernel"/>):
    /// the same floats as the plain CSR product, without reading the user table at random.
    /// </summary>
    public static SparseOperator SymmetricBipartite(SparseMatrix matrix, int split, Device device, int threads, bool torchOps = false) =>
        new(matrix, device, threads, symmetric: true, torchOps, () => new BipartiteSymmetricKernel(matrix, split, threads));

    public SparseMatrix Matrix { get; }

    /// <summary>Whether <see cref="LayerMean"/> is available: a symmetric operator on the CSR kernels.</summary>
    public bool HasFusedLayerMean => _symmetric && _forward is not null;

    /// <summary>
    /// (1/(K+1)) Σ_{k≤K} A^k·X in one autograd function (<see cref="LayerMeanProduct"/>), for a symmetric operator on the CSR
    /// kernels (<see cref="HasFusedLayerMean"/>); differentiable with respect to X.
    /// </summary>
    public Tensor LayerMean(Tensor x, int layers) => LayerMeanOf(layers).Multiply(x);

    /// <summary>
    /// <see cref="LayerMean"/>'s rows <paramref name="nodes"/> (int64, repeats allowed), with the floats of LayerMean followed
    /// by index_select, forward and backward; on a bipartite operator (<see cref="SymmetricBipartite"/>) without the work
    /// for users outside the selection where a product allows it (<see cref="LayerMeanProduct.MultiplyRows"/>).
    /// </summary>
    public Tensor LayerMeanRows(Tensor x, int layers, Tensor nodes) => LayerMeanOf(layers).MultiplyRows(x, nodes);

    private LayerMeanProduct LayerMeanOf(int layers)
    {
        if (!HasFusedLayerMean)
        {
            throw new InvalidOperationException("the fused layer mean needs a symmetric operator on the CPU kernels");
        }

        if (_layerMean is null || _layerMean.Layers != layers)
        {
            _layerMean = new LayerMeanProduct(_forward!, layers, _threads);
        }

        return _layerMean;
    }

    /// <summary>A·X for X of shape [ColumnCount, d]; differentiable with respect to X.</summary>
    public Tensor Multiply(Tensor x) =>
        _torchMatrix is not null ? _torchMatrix.mm(x) : CsrProduct.apply(this, x);

    public void Dispose() => _torchMatrix?.Dispose();

    /// <summary>Whether products on <paramref name="device"/> run in the managed CSR kernels (host memory) or in torch's ops.</summary>
    public static bool UsesCsrKernel(Device device, bool torchOps = false) => device.type == DeviceType.CPU && !torchOps;

    /// <summary>The autograd function: forward A·X, backward Aᵀ·G; A travels as a non-tensor argument.</summary>
    private sealed class CsrProduct : torch.autograd.SingleTensorFunction<CsrProduct>
    {
        private const string InputsKey = "inputs";

        public override string Name => nameof(CsrProduct);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var op = (SparseOperator)vars[0];
            var x = (Tensor)vars[1];
            // X itself only where the backward may add into its gradient (the caller's scope keeps it alive); in a holder,
            // as TorchSharp prints a warning for tensors put in save_data.
            ctx.save_data(InputsKey, new Inputs(op, op._addsIntoKeptGradient ? x : null));
            return NativeProduct.Run(op._forward!, x);
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output)
        {
            (SparseOperator op, Tensor? x) = (Inputs)ctx.get_data(InputsKey);
            INativeProduct backward = op._backward ??= op._symmetric ? op._forward! : new SparseKernel(SparseKernel.Transpose(op.Matrix), op._threads);
            using Tensor? kept = x is null ? null : KeptGradient.Of(x);
            if (kept is not null && backward is SparseKernel kernel)
            {
                NativeProduct.AddInto(kernel, grad_output, kept);
                return [null!, null!];
            }

            return [null!, NativeProduct.Run(backward, grad_output)];
        }

        private sealed record Inputs(SparseOperator Operator, Tensor? X);
    }
}
