using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>
/// GC-MC's message passing with ordinal weight sharing, as two differentiable operations over the per-level adjacencies
/// (<see cref="NormalizedAdjacency.ByLevel"/>): users ← A_u·cumsum(T_movies) and movies ← A_m·cumsum(T_users), where
/// T is a side's per-level weights [levels, nodes, hidden] and cumsum runs over the levels (W_r = Σ_{s≤r} T_s).
/// On the CPU each operation is one custom autograd function, so the only full-size tensors are the ones the maths needs:
/// the cumulative weights live for the forward product only, the backward product Aᵀ·G runs over the other side's
/// matrix (<see cref="LevelTransposeKernel"/>: no transposed copies, 2 × 12 bytes per rating saved), and the reverse
/// cumulative sum of the gradient is done in place (torch's cumsum backward takes three more copies of the user weights).
/// The values equal torch's cumsum and product bit for bit (cumsum accumulates in double on the CPU, and so does this).
/// On another device, or with <c>torchOps</c>, it is torch's cumsum and sparse <c>mm</c>.
/// </summary>
public sealed class GcmcAdjacency : IDisposable
{
    private readonly Side _users;
    private readonly Side _movies;

    public GcmcAdjacency(BipartiteGraph graph, int levels, Device device, int threads, bool torchOps = false)
    {
        ArgumentNullException.ThrowIfNull(graph);
        UserRows = NormalizedAdjacency.ByLevel(graph, userRows: true, levels);
        MovieRows = NormalizedAdjacency.ByLevel(graph, userRows: false, levels);
        Levels = levels;
        _users = new Side(UserRows, MovieRows, graph.Movies, levels, device, threads, torchOps);
        _movies = new Side(MovieRows, UserRows, graph.Users, levels, device, threads, torchOps);
    }

    /// <summary>Users × (levels·Movies).</summary>
    public SparseMatrix UserRows { get; }

    /// <summary>Movies × (levels·Users).</summary>
    public SparseMatrix MovieRows { get; }

    public int Levels { get; }

    /// <summary>Every user's summed messages [Users, hidden] from the movies' per-level weights [levels, Movies, hidden].</summary>
    public Tensor UserMessages(Tensor movieLevels) => _users.Multiply(movieLevels);

    /// <summary>Every movie's summed messages [Movies, hidden] from the users' per-level weights [levels, Users, hidden].</summary>
    public Tensor MovieMessages(Tensor userLevels) => _movies.Multiply(userLevels);

    public void Dispose()
    {
        _users.Dispose();
        _movies.Dispose();
    }

    /// <summary>One direction: rows of this side receive from the other side's nodes.</summary>
    private sealed class Side : IDisposable
    {
        private readonly SparseKernel? _forward;
        private readonly LevelTransposeKernel? _backward;
        private readonly Tensor? _torchMatrix;

        public Side(SparseMatrix rows, SparseMatrix otherRows, int senders, int levels, Device device, int threads, bool torchOps)
        {
            Senders = senders;
            Levels = levels;
            if (SparseOperator.UsesCsrKernel(device, torchOps))
            {
                _forward = new SparseKernel(rows, threads);
                _backward = new LevelTransposeKernel(otherRows, levels, threads);
            }
            else
            {
                _torchMatrix = rows.ToTorch(device);
            }
        }

        public int Senders { get; }

        public int Levels { get; }

        public Tensor Multiply(Tensor levelWeights)
        {
            if (levelWeights.dim() != 3 || levelWeights.shape[0] != Levels || levelWeights.shape[1] != Senders)
            {
                throw new ArgumentException($"per-level weights must be [{Levels}, {Senders}, hidden], got [{string.Join(", ", levelWeights.shape)}]");
            }

            if (_torchMatrix is null)
            {
                return OrdinalProduct.apply(this, levelWeights);
            }

            // Ordinal weight sharing: level r's weights are the running sum of T_1..T_r; stacked [levels·nodes, hidden].
            return _torchMatrix.mm(levelWeights.cumsum(0).reshape(Levels * (long)Senders, levelWeights.shape[2]));
        }

        public void Dispose() => _torchMatrix?.Dispose();

        public Tensor Forward(Tensor levelWeights)
        {
            using (no_grad())
            using (Tensor cumulative = levelWeights.detach().cumsum(0))
            using (Tensor stacked = cumulative.reshape(Levels * (long)Senders, levelWeights.shape[2]))
            {
                return NativeProduct.Run(_forward!, stacked);
            }
        }

        public Tensor Backward(Tensor gradient)
        {
            // The view keeps the storage; the handle goes now so autograd holds the only reference (no extra copy).
            using Tensor stacked = NativeProduct.Run(_backward!, gradient);
            ReverseCumulativeSum(stacked, Levels, _backward!.Threads);
            return stacked.reshape(Levels, Senders, gradient.shape[1]);
        }
    }

    /// <summary>
    /// In place over [levels, n] (n = nodes·hidden): x_l ← Σ_{s≥l} x_s, the gradient of a cumulative sum over the levels,
    /// accumulated from the last level down in double as torch's CPU cumsum does (so the result is torch's to the bit).
    /// </summary>
    internal static unsafe void ReverseCumulativeSum(Tensor stacked, int levels, int threads)
    {
        long n = stacked.numel() / levels;
        const long Block = 1 << 16;
        long blocks = (n + Block - 1) / Block;
        fixed (byte* bytes = stacked.bytes)
        {
            var data = (nint)bytes;
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, b =>
            {
                var values = (float*)data;
                long end = Math.Min(n, (b + 1) * Block);
                for (long i = b * Block; i < end; i++)
                {
                    double sum = 0;
                    for (int l = levels - 1; l >= 0; l--)
                    {
                        sum += values[(l * n) + i];
                        values[(l * n) + i] = (float)sum;
                    }
                }
            });
        }
    }

    /// <summary>The autograd function: forward A·cumsum(T), backward revcumsum(Aᵀ·G); the side travels as a non-tensor argument.</summary>
    private sealed class OrdinalProduct : torch.autograd.SingleTensorFunction<OrdinalProduct>
    {
        private const string SideKey = "side";

        public override string Name => nameof(OrdinalProduct);

        public override Tensor forward(torch.autograd.AutogradContext ctx, params object[] vars)
        {
            var side = (Side)vars[0];
            ctx.save_data(SideKey, side);
            return side.Forward((Tensor)vars[1]);
        }

        public override List<Tensor> backward(torch.autograd.AutogradContext ctx, Tensor grad_output) =>
            [null!, ((Side)ctx.get_data(SideKey)).Backward(grad_output)];
    }
}
